// Tailwind CSS 4 runs as a PostCSS plugin; every style is compiled at build time (no CDN, no web fonts).
const config = {
  plugins: { '@tailwindcss/postcss': {} },
};

export default config;
