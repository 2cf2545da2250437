'use client';

import { Button, ButtonLink } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { createModelFamilyInput } from '@/lib/modules/models/schema';

const LABELS: Record<string, string> = { slug: 'Slug', name: 'Name', modality: 'Modality', description: 'Description' };

export function FamilyForm({ action }: { action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const { state, pending, key, formProps } = useForm(action, createModelFamilyInput);
  const err = (path: string) => fieldError(state, path);
  return (
    <form key={key} {...formProps} className="max-w-2xl space-y-4">
      <ProblemSummary state={state} labels={LABELS} />
      <Field id="name" label="Name" required error={err('name')}>
        <Input {...describedBy('name', { error: err('name') })} name="name" defaultValue={valueOf(state, 'name')} maxLength={100} required />
      </Field>
      <Field id="slug" label="Slug" required error={err('slug')} hint="Permanent: agents report versions as slug@version. Lowercase letters, digits and hyphens.">
        <Input
          {...describedBy('slug', { error: err('slug'), hint: true })}
          name="slug"
          defaultValue={valueOf(state, 'slug')}
          maxLength={48}
          className="font-mono"
          required
          spellCheck={false}
        />
      </Field>
      <Field id="modality" label="Modality" error={err('modality')} hint="e.g. text, embedding, classification.">
        <Input {...describedBy('modality', { error: err('modality'), hint: true })} name="modality" defaultValue={valueOf(state, 'modality')} maxLength={50} />
      </Field>
      <Field id="description" label="Description" error={err('description')}>
        <Textarea {...describedBy('description', { error: err('description') })} name="description" rows={3} maxLength={1000} defaultValue={valueOf(state, 'description')} />
      </Field>
      <div className="flex items-center gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create family'}
        </Button>
        <ButtonLink href="/models" variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
