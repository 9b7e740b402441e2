import { SetMetadata } from '@nestjs/common';
import { Action, EntityName } from './permissions';

export const PERMISSION_KEY = 'permission';
export const PUBLIC_KEY = 'public';

export interface PermissionRef {
  entity: EntityName;
  action: Action;
}

/** The entity permission an endpoint needs (see permissions.ts for who has it). */
export const Permission = (entity: EntityName, action: Action) =>
  SetMetadata(PERMISSION_KEY, { entity, action } satisfies PermissionRef);

/** An endpoint anyone may call, without a token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
