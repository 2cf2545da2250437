import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Charter', template: '%s · Charter' },
  description: 'Control plane for sovereign, self-hosted AI model deployments.',
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { themeColor: '#142f53' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
