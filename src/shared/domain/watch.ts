// Watch-list values in one written form: a plate, a phone or an ID number matches however the checkpoint typed
// it (陕G 7M352, 陕g·7m352 and 陕G7M352 are one plate), because entries and checks are stored normalised.
import { z } from 'zod';
import type { WatchKind } from './model';

/** Upper case, without spaces or the separators people write between the region and the number. */
export function normalisePlate(raw: string): string {
  return raw.replace(/[\s·•.\-_]/gu, '').toUpperCase();
}

/** Digits only: +86 138-0915 0001 and 13809150001 differ only in how they were written. */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  // A mainland mobile written with the country code is the same number.
  return digits.length === 13 && digits.startsWith('861') ? digits.slice(2) : digits;
}

/** Upper case (the check digit X), without spaces. */
export function normalisePersonId(raw: string): string {
  return raw.replace(/\s/g, '').toUpperCase();
}

const RULES: Record<WatchKind, { normalise: (raw: string) => string; valid: RegExp; message: string }> = {
  plate: {
    normalise: normalisePlate,
    // A province character or letters, then letters and digits: 陕G7M352, 陕GD12345 (new energy), WJ1234.
    valid: /^[\p{Script=Han}A-Z][\p{Script=Han}A-Z0-9]{2,10}$/u,
    message: 'a plate has 3 to 11 letters, digits and Chinese characters, e.g. 陕G7M352',
  },
  phone: {
    normalise: normalisePhone,
    valid: /^[0-9]{3,20}$/,
    message: 'a phone number has 3 to 20 digits',
  },
  person: {
    normalise: normalisePersonId,
    valid: /^[0-9]{17}[0-9X]$/,
    message: 'an ID number has 17 digits and a digit or X',
  },
};

export function normaliseWatchValue(kind: WatchKind, raw: string): string {
  return RULES[kind].normalise(raw);
}

/** Why a normalised value cannot be watched or checked, or null when it is fine. */
export function watchValueProblem(kind: WatchKind, value: string): string | null {
  const rule = RULES[kind];
  return rule.valid.test(value) ? null : rule.message;
}

/** A value typed by an operator, normalised, then checked in its normalised form. */
export function watchValue(kind: WatchKind) {
  const rule = RULES[kind];
  return z.string().max(40).transform(rule.normalise).pipe(z.string().regex(rule.valid, rule.message));
}
