import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Logo } from '@/components/shell/logo';
import { getSessionActor } from '@/lib/http/session';
import { SIGN_IN_FAILED, SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

/** Only same-origin paths are followed after sign-in ("/x", never "//host" or "/\host"). */
function safeCallback(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || v.startsWith('/sign-in')) return '/';
  return v;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await getSessionActor()) redirect(callbackUrl);

  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4 py-12">
      <div className="w-full max-w-sm space-y-6">
        <div className="flex flex-col items-center gap-2 text-center">
          <Logo className="size-9 text-brand-800" />
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">Sign in to Charter</h1>
          <p className="text-sm text-slate-600">Control plane for self-hosted model deployments.</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <SignInForm callbackUrl={callbackUrl} initialError={params.error ? SIGN_IN_FAILED : null} />
        </div>
        <p className="text-center text-xs text-slate-600">Every sign-in, successful or not, is recorded in the audit log.</p>
      </div>
    </main>
  );
}
