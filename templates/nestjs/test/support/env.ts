// Environment of the e2e tests: a real PostgreSQL named by DATABASE_URL, with prisma/schema.sql applied.
if (!process.env.DATABASE_URL) {
  throw new Error(
    'DATABASE_URL is not set: the e2e tests run against a real PostgreSQL database ' +
      '(create one, apply prisma/schema.sql with `npm run db:schema`, then set DATABASE_URL)',
  );
}
process.env.JWT_SECRET = process.env.JWT_SECRET || 'e2e-test-secret';
