import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import type { DeploymentDto } from '@/lib/modules/deployments/schema';

/**
 * What a deployment runs, each version linked to its catalogue page. Deprecated and retired ones
 * are marked, and so is a version of the pinned family that differs from the pin (out of date).
 */
export function RunningVersions({ deployment }: { deployment: Pick<DeploymentDto, 'running' | 'pinnedVersion'> }) {
  if (deployment.running.length === 0) return <span className="text-xs text-slate-500">Nothing reported</span>;
  const pin = deployment.pinnedVersion;
  return (
    <ul className="flex flex-col items-start gap-1" aria-label="Running versions">
      {deployment.running.map((r) => {
        const offPin = pin !== null && r.family === pin.family && r.modelVersionId !== pin.id;
        const tone = r.versionStatus === 'RETIRED' ? 'danger' : r.versionStatus === 'DEPRECATED' || offPin ? 'warning' : 'neutral';
        const notes = [r.versionStatus === 'DEPRECATED' && 'deprecated', r.versionStatus === 'RETIRED' && 'retired', offPin && `pinned ${pin.version}`].filter(Boolean);
        return (
          <li key={r.modelVersionId}>
            <Link href={`/models/${r.modelVersionId}`} className="hover:underline">
              <Badge tone={tone} className="font-mono">
                {r.family}@{r.version}
                {notes.length > 0 && <span className="font-sans font-normal">· {notes.join(', ')}</span>}
              </Badge>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
