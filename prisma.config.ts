import { defineConfig } from 'prisma/config';

// Used by `prisma generate` (run through lib/cli/db, see README "Database and migrations (offline)").
// The datasource URL is only needed by commands that reach a database; `env('DATABASE_URL')`
// would throw when it is unset, so the plain (possibly undefined) value keeps generate working
// without one. Migrations run through `npm run db:…`, not the Prisma CLI.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL },
});
