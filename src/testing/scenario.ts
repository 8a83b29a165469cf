/**
 * What every scripted scenario shares, apart from the scenarios themselves: the handle that stops
 * one and the cast of sample people. The fake server's feeds use both, and importing them from here
 * keeps the fakes from importing the scenarios that drive the fake server.
 */
import type { UserProfile } from '../protocol/index.js';

export interface Scenario {
  /** Stop the scenario's timers (people already added stay). */
  stop(): void;
}

/** A small avatar: initials on a coloured disc, as a `data:image/svg+xml` URL (allowed by the schema). */
export function initialsAvatar(name: string, color: string): string {
  const initials = name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<circle cx="32" cy="32" r="32" fill="${color}"/>` +
    `<text x="32" y="41" font-family="system-ui,sans-serif" font-size="26" font-weight="600" ` +
    `text-anchor="middle" fill="#fff">${initials}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** A cast for stories: some with avatars, some without (the widget falls back to initials). */
export const SAMPLE_PEOPLE: readonly UserProfile[] = [
  { id: 'u-amara', name: 'Amara Okafor', avatarUrl: initialsAvatar('Amara Okafor', '#7c3aed') },
  {
    id: 'u-jonas',
    name: 'Jonas Lindqvist',
    avatarUrl: initialsAvatar('Jonas Lindqvist', '#0891b2'),
  },
  { id: 'u-mei', name: 'Mei Tanaka' },
  { id: 'u-rafael', name: 'Rafael Souza', avatarUrl: initialsAvatar('Rafael Souza', '#ea580c') },
  { id: 'u-priya', name: 'Priya Raman', avatarUrl: initialsAvatar('Priya Raman', '#16a34a') },
  { id: 'u-lukas', name: 'Lukas Novak' },
  { id: 'u-sofia', name: 'Sofía García', avatarUrl: initialsAvatar('Sofía García', '#db2777') },
  { id: 'u-noah', name: 'Noah Williams', avatarUrl: initialsAvatar('Noah Williams', '#4f46e5') },
];
