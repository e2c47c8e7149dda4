/**
 * The settings package.json contributes: `contributes.configuration` is an array of titled sections (SMTP server,
 * sender and recipients, content and images), so that the Settings editor reads well; tests see them as one table.
 */
export interface ConfigurationSection {
  id?: string;
  title: string;
  order?: number;
  properties: Record<string, Record<string, unknown>>;
}

/** The sections of `contributes.configuration` (one object counts as one section). */
export function configurationSections(pkg: { contributes: { configuration: unknown } }): ConfigurationSection[] {
  const c = pkg.contributes.configuration;
  return (Array.isArray(c) ? c : [c]) as ConfigurationSection[];
}

/** Every contributed setting by its full id, whichever section holds it. */
export function contributedSettings<T = Record<string, unknown>>(pkg: { contributes: { configuration: unknown } }): Record<string, T> {
  return Object.assign({}, ...configurationSections(pkg).map((s) => s.properties)) as Record<string, T>;
}
