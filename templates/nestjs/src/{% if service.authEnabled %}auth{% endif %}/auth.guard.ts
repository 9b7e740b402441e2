import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService, AuthUser } from './auth.service';
import { PERMISSION_KEY, PUBLIC_KEY, PermissionRef } from './permission.decorator';
import { AccessRule, accessRule } from './permissions';

/**
 * The global guard: an endpoint marked @Public() is open; one with @Permission(entity, action)
 * follows PERMISSIONS; any other needs a valid token. 401 without a valid token, 403 when the
 * user has none of the roles required.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets)) {
      return true;
    }
    const permission = this.reflector.getAllAndOverride<PermissionRef | undefined>(PERMISSION_KEY, targets);
    const rule: AccessRule = permission ? accessRule(permission.entity, permission.action) : { access: 'authenticated' };
    if (rule.access === 'public') {
      return true;
    }
    if (rule.access === 'disabled') {
      throw new ForbiddenException('This action is disabled');
    }
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    const user = scheme === 'Bearer' && token ? await this.auth.verify(token) : null;
    if (!user) {
      throw new UnauthorizedException();
    }
    request.user = user;
    if (rule.access === 'roles' && !user.roles.some((role) => (rule.roles as readonly string[]).includes(role))) {
      throw new ForbiddenException('None of your roles allows this');
    }
    return true;
  }
}
