// Translation: every visible string comes from a typed dictionary; dates and numbers follow the language.
import { useCallback } from 'react';
import type { Language } from '../store/settings';
import { useDesk } from '../store';
import { en } from './en';
import { zh } from './zh';

export type MessageKey = keyof typeof zh;
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zh, en };

export function translate(
  language: Language,
  key: MessageKey,
  vars?: Record<string, string | number>,
): string {
  const text = DICTIONARIES[language][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A value inside a message: data as it is, or words that are themselves translated when shown. */
export type MessageVar =
  string | number | { key: MessageKey } | { list: MessageKey[] } | { name: string; nameEn: string };

/**
 * A notice kept as key and values rather than text, so it is shown in the language of the moment (a notice
 * raised in Chinese reads in English after the switch).
 */
export interface Message {
  key: MessageKey;
  vars?: Record<string, MessageVar>;
}

/** One message value in the language of the moment. */
export function renderVar(language: Language, value: MessageVar): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if ('key' in value) return translate(language, value.key);
  if ('name' in value) return nameIn(language, value);
  return value.list.map((key) => translate(language, key)).join(translate(language, 'common.listSeparator'));
}

export function renderMessage(language: Language, message: Message): string {
  if (!message.vars) return translate(language, message.key);
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.vars)) vars[name] = renderVar(language, value);
  return translate(language, message.key, vars);
}

export function useT(): Translate {
  const language = useDesk((state) => state.language);
  return useCallback((key, vars) => translate(language, key, vars), [language]);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function format(language: Language, kind: 'time' | 'datetime' | 'clock'): Intl.DateTimeFormat {
  const key = `${language}:${kind}`;
  let formatter = timeFormats.get(key);
  if (!formatter) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { hour: '2-digit', minute: '2-digit', hour12: false }
        : kind === 'clock'
          ? {
              year: 'numeric',
              month: '2-digit',
              day: '2-digit',
              hour: '2-digit',
              minute: '2-digit',
              second: '2-digit',
              hour12: false,
            }
          : {
              month: '2-digit',
              day: '2-digit',
              hour: '2-digit',
              minute: '2-digit',
              second: '2-digit',
              hour12: false,
            };
    formatter = new Intl.DateTimeFormat(language, { ...options, timeZone: 'Asia/Shanghai' });
    timeFormats.set(key, formatter);
  }
  return formatter;
}

export function formatTime(language: Language, at: number): string {
  return format(language, 'time').format(at);
}

export function formatDateTime(language: Language, at: number): string {
  return format(language, 'datetime').format(at);
}

export function formatClock(language: Language, at: number): string {
  return format(language, 'clock').format(at);
}

export function formatNumber(language: Language, value: number, digits = 0): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(value);
}

/** Waiting time as a compact age in the language's units: 45s, 12m, 3h05, 2d (45秒, 12分, 3时05, 2天). */
export function formatAge(language: Language, ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return translate(language, 'age.seconds', { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return translate(language, 'age.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48)
    return translate(language, 'age.hours', { h: hours, mm: String(minutes % 60).padStart(2, '0') });
  return translate(language, 'age.days', { n: Math.floor(hours / 24) });
}

/** A name in the operator's language: records carry both. */
export function nameIn(language: Language, record: { name: string; nameEn: string }): string {
  return language === 'en' ? record.nameEn || record.name : record.name;
}
