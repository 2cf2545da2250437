'use client';

import { signIn } from 'next-auth/react';
import { type FormEvent, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

// One message for every failure: it must not tell whether the email exists, the password was
// wrong, or the account is locked or disabled.
export const SIGN_IN_FAILED = 'Email or password is incorrect, or the account is locked.';

export function SignInForm({ callbackUrl, initialError = null }: { callbackUrl: string; initialError?: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    setPending(true);
    setError(null);
    try {
      const res = await signIn('credentials', {
        redirect: false,
        email: field('email'),
        password: field('password'),
      });
      if (!res || res.error || !res.ok) {
        setError(SIGN_IN_FAILED);
        setPending(false);
        return;
      }
      // A full navigation, so that every server component renders with the new session cookie.
      window.location.assign(callbackUrl);
    } catch {
      setError('Charter could not be reached. Try again in a moment.');
      setPending(false);
    }
  }

  // method="post": should the form be submitted before hydration, the password must not land in a URL.
  return (
    <form method="post" onSubmit={(event) => void onSubmit(event)} className="space-y-4" aria-describedby={error ? 'sign-in-error' : undefined}>
      {error && (
        <div id="sign-in-error">
          <Alert tone="error">{error}</Alert>
        </div>
      )}
      <Field id="email" label="Email">
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus spellCheck={false} />
      </Field>
      <Field id="password" label="Password">
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </Field>
      <Button type="submit" variant="primary" className="w-full" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
