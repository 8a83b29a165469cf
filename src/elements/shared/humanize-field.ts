/** The default display name of a field, shared by the conflict dialog and the activity feed. */

/** `firstName`, `first_name`, `address.city` → "First name", "First name", "Address city". */
export function humanizeField(field: string): string {
  const words = field
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_.\-\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : field;
}
