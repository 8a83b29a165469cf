/**
 * The custom-elements manifest is generated from each element's JSDoc header (the public API):
 * Storybook's docs pages and controls read it, and IDEs and framework tooling (Vue, Angular)
 * can pick it up through package.json's `customElements` field.
 */
export default {
  globs: ['src/elements/*/crm-*.ts'],
  exclude: ['src/elements/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
};
