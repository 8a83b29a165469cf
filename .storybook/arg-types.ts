/**
 * One row per name in the docs pages' tables. A story names its controls as a page author writes
 * them (`roomId` shown as `room-id`, `size` as `--crm-presence-size`); the manifest lists the same
 * attribute or CSS property again under its own key, so every such name had two rows, with two
 * descriptions and two defaults. The manifest's row goes, and gives the story's row its
 * description and default where the story has none. A CSS property or part the story has no
 * control for gets none either: Storybook offered a "Set object" editor that changed nothing.
 */
import type { StrictArgTypes } from 'storybook/internal/types';

const CSS = new Set(['css custom properties', 'css shadow parts']);

export function oneRowPerName(argTypes: StrictArgTypes): StrictArgTypes {
  const result: StrictArgTypes = { ...argTypes };
  for (const [key, argType] of Object.entries(argTypes)) {
    if (CSS.has(argType.table?.category ?? '') && argType.control === undefined) {
      result[key] = { ...argType, control: false };
    }
  }
  for (const [key, argType] of Object.entries(argTypes)) {
    const name = argType.name;
    if (!name || name === key) continue;
    const twin = argTypes[name];
    if (!twin) continue;
    result[name] = { ...result[name]!, table: { ...twin.table, disable: true } };
    result[key] = {
      ...argType,
      description: argType.description || twin.description,
      table: {
        ...twin.table,
        ...argType.table,
        // The manifest knows the element's default; a story's control has none of its own.
        defaultValue: argType.table?.defaultValue ?? twin.table?.defaultValue,
        category: argType.table?.category ?? twin.table?.category,
      },
    };
  }
  return result;
}
