import { NavLink } from '@/components/ui/nav-link';
import { Logo } from './logo';

export type NavItem = { href: string; label: string; exact?: boolean };

export function Sidebar({ items }: { items: NavItem[] }) {
  return (
    <aside className="w-full shrink-0 bg-brand-900 text-slate-200 md:w-56">
      <div className="flex flex-col md:sticky md:top-0 md:max-h-screen">
        <div className="flex h-12 items-center gap-2 border-b border-white/10 px-4">
          <Logo className="size-5 text-sky-200" />
          <span className="text-sm font-semibold tracking-wide text-white">Charter</span>
        </div>
        <nav aria-label="Main" className="flex-1 p-2">
          <ul className="flex gap-1 md:flex-col">
            {items.map((item) => (
              <li key={item.href}>
                <NavLink href={item.href} exact={item.exact}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </aside>
  );
}
