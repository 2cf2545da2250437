'use client';

import { type FormEvent, useActionState, useState } from 'react';
import type { z } from 'zod';
import type { Problem } from '@/lib/core/errors';
import { type FormState, type FormValues, checkForm, formDataToObject, initialFormState } from '@/lib/http/form-state';

type ServerAction<D> = (state: FormState<D>, form: FormData) => Promise<FormState<D>>;

/** The schema the server parses this submission with; a function when it depends on the button pressed or a choice made. */
export type FormSchema = z.ZodType | ((values: FormValues) => z.ZodType | null);

/**
 * The one way to write a form: `useActionState` over a server action made by formAction(), and,
 * before anything is sent, the same zod schema the server parses the FormData with. A refusal in
 * the browser shows exactly as the server's would (same problem, same messages, through
 * ProblemSummary and the field errors) and sends nothing; the form is not reset, so everything
 * typed stays. The server still validates: without JavaScript the form posts as before.
 *
 *     const form = useForm(props.action, createTenantInput);
 *     return <Fields key={form.key} form={form} />;   // re-keyed on every answer of the server
 *     …
 *     <form {...form.formProps}>
 */
export function useForm<D = never>(serverAction: ServerAction<D>, schema?: FormSchema) {
  const [server, action, pending] = useActionState(serverAction, initialFormState as FormState<D>);
  // A browser-side refusal belongs to the server answer it was made after; the next answer replaces it.
  const [local, setLocal] = useState<{ problem: Problem; after: number } | null>(null);
  const refused = local !== null && local.after === server.nonce;
  const state: FormState<D> = refused ? { nonce: server.nonce, values: server.values, problem: local.problem } : server;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    if (!schema) return;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const values = formDataToObject(new FormData(event.currentTarget, submitter));
    const check = typeof schema === 'function' ? schema(values) : schema;
    const problem = check ? checkForm(check, values) : undefined;
    if (problem) {
      event.preventDefault();
      setLocal({ problem, after: server.nonce });
    } else {
      setLocal(null);
    }
  };

  // noValidate: the schema's messages, not the browser's, are the ones a form shows.
  return { state, pending, key: server.nonce, formProps: { action, onSubmit, noValidate: true } };
}

/** What useForm() hands a form's fields: pass `formProps` to the <form>, read `state`. */
export type FormControls<D = never> = ReturnType<typeof useForm<D>>;
