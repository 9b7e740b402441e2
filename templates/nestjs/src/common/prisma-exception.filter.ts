import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** The body of every error response, as Nest writes its own. */
export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, message, error: REASONS[statusCode] ?? 'Error' };
}

interface PrismaLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  meta?: {
    target?: unknown;
    driverAdapterError?: { cause?: { table?: unknown; constraint?: { fields?: unknown; index?: unknown } } };
  };
}

/** The fields of a violated unique constraint, from whichever form the error carries. */
function uniqueFields(error: PrismaLikeError): string[] {
  const target = error.meta?.target;
  if (Array.isArray(target)) {
    return target.map(String);
  }
  const cause = error.meta?.driverAdapterError?.cause;
  const fields = cause?.constraint?.fields;
  if (Array.isArray(fields)) {
    return fields.map((field) => String(field).replace(/^"|"$/g, ''));
  }
  const index = cause?.constraint?.index;
  if (typeof index === 'string' && typeof cause?.table === 'string' && index.startsWith(`${cause.table}_`)) {
    return [index.slice(cause.table.length + 1).replace(/_key$/, '')];
  }
  return [];
}

/**
 * Maps a Prisma error to an HTTP error: missing record 404, unique violation 409, foreign key
 * violation 409 on delete (still referenced) and 400 otherwise (unknown reference), invalid
 * data 400. Anything else is not a Prisma error: `null`.
 */
export function mapPrismaError(exception: unknown, method: string): ErrorBody | null {
  if (typeof exception !== 'object' || exception === null) {
    return null;
  }
  const error = exception as PrismaLikeError;
  const message = typeof error.message === 'string' ? error.message.trim() : '';
  if (error.name === 'PrismaClientValidationError') {
    const last = message.split('\n').filter((line) => line.trim() !== '').pop() ?? 'Invalid data';
    return errorBody(400, last.trim());
  }
  if (error.name !== 'PrismaClientKnownRequestError' || typeof error.code !== 'string') {
    return null;
  }
  switch (error.code) {
    case 'P1001':
    case 'P1002':
    case 'P1008':
    case 'P1017':
      return errorBody(503, 'The database is unreachable');
    case 'P2001':
    case 'P2015':
    case 'P2018':
    case 'P2025':
      return errorBody(404, 'Record not found');
    case 'P2002': {
      const fields = uniqueFields(error);
      return errorBody(
        409,
        fields.length > 0 ? `Another record has the same ${fields.join(', ')}` : 'Another record has the same unique value',
      );
    }
    case 'P2003':
      return method === 'DELETE'
        ? errorBody(409, 'The record is still referenced by other records')
        : errorBody(400, 'A referenced record does not exist');
    case 'P2000':
    case 'P2005':
    case 'P2006':
    case 'P2007':
    case 'P2011':
    case 'P2012':
    case 'P2013':
    case 'P2014':
    case 'P2019':
    case 'P2020':
      return errorBody(400, message.split('\n').pop()?.trim() || 'Invalid data');
    default:
      return null;
  }
}

/** Writes every error as `{ statusCode, message, error }`; Prisma errors get their HTTP status. */
@Catch()
export class PrismaExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      response.status(status).json(typeof body === 'string' ? errorBody(status, body) : body);
      return;
    }
    const mapped = mapPrismaError(exception, request.method);
    if (mapped) {
      response.status(mapped.statusCode).json(mapped);
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(500).json(errorBody(500, 'Internal server error'));
  }
}
