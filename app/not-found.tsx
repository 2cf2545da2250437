import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <p className="font-mono text-sm text-slate-600">404</p>
        <h1 className="mt-1 text-xl font-semibold text-slate-900">Not found</h1>
        <p className="mt-2 text-sm text-slate-600">There is nothing at this address, or you do not have access to it.</p>
        <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-700 hover:underline">
          Go to Charter
        </Link>
      </div>
    </main>
  );
}
