import { Button } from '@/components/ui/button';

type TopBarProps = {
  email: string;
  role: string;
  scope: string;
  signOut: () => Promise<void>;
};

/** Who is signed in, in which role and scope — always visible, because every action is attributed. */
export function TopBar({ email, role, scope, signOut }: TopBarProps) {
  return (
    <header className="flex h-12 items-center justify-end gap-4 border-b border-slate-200 bg-white px-4 md:px-6">
      <dl className="flex min-w-0 items-center gap-3 text-xs text-slate-700" aria-label="Signed-in user">
        <div className="flex min-w-0 items-center gap-1">
          <dt className="sr-only">Email</dt>
          <dd className="truncate font-medium text-slate-900" data-testid="current-user">
            {email}
          </dd>
        </div>
        <div className="flex items-center gap-1">
          <dt className="sr-only">Role</dt>
          <dd className="rounded bg-slate-100 px-1.5 py-0.5 font-medium" data-testid="current-role">
            {role}
          </dd>
        </div>
        <div className="hidden items-center gap-1 sm:flex">
          <dt className="text-slate-600">Scope</dt>
          <dd className="max-w-56 truncate font-medium text-slate-900" data-testid="current-scope">
            {scope}
          </dd>
        </div>
      </dl>
      <form action={signOut}>
        <Button type="submit" size="sm" variant="secondary">
          Sign out
        </Button>
      </form>
    </header>
  );
}
