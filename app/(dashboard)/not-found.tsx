import { ButtonLink } from '@/components/ui/button';

export default function DashboardNotFound() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <p className="font-mono text-sm text-slate-600">404</p>
      <h1 className="mt-1 text-xl font-semibold text-slate-900">Not found</h1>
      <p className="mt-2 text-sm text-slate-600">There is nothing at this address, or you do not have access to it.</p>
      <ButtonLink href="/" variant="secondary" className="mt-6">
        Back to the overview
      </ButtonLink>
    </div>
  );
}
