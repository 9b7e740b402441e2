// How values Prisma returns are written as JSON: BigInt as a string of digits (JSON numbers
// lose precision past 2^53), Decimal as a number.
import { Prisma } from '../generated/prisma/client';

declare global {
  interface BigInt {
    toJSON(): string;
  }
}

BigInt.prototype.toJSON = function toJSON(this: bigint): string {
  return this.toString();
};

(Prisma.Decimal.prototype as unknown as { toJSON(): number }).toJSON = function toJSON(this: Prisma.Decimal): number {
  return this.toNumber();
};
