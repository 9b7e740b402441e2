import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

const INT64_MIN = -(BigInt(2) ** BigInt(63));
const INT64_MAX = BigInt(2) ** BigInt(63) - BigInt(1);

/**
 * A 64-bit integer sent as a string of digits (JSON numbers lose precision past 2^53), within
 * the optional bounds (given as strings, compared exactly).
 */
export function IsIntegerString(bounds: { min?: string; max?: string } = {}, options?: ValidationOptions) {
  const min = bounds.min === undefined ? INT64_MIN : BigInt(bounds.min);
  const max = bounds.max === undefined ? INT64_MAX : BigInt(bounds.max);
  return (object: object, propertyName: string): void => {
    registerDecorator({
      name: 'isIntegerString',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string' || !/^-?[0-9]{1,19}$/.test(value)) {
            return false;
          }
          const n = BigInt(value);
          return n >= min && n <= max;
        },
        defaultMessage(args: ValidationArguments): string {
          return `${args.property} must be a string of digits holding an integer from ${min} to ${max}`;
        },
      },
    });
  };
}
