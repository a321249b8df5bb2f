/**
 * Words what a service said (a message key with parameters) in the reader's
 * language. Parameters that are people (`child`, `children`) become the names
 * the reader may see (their own household, from their own query), so a fact
 * reads "Your daughter Sofia was born on 21 November 2026"; a programme code
 * becomes its name. A person the reader may not see is "your child", never a code.
 */
import { createContext, useCallback, useContext } from 'react';
import { formatList } from '../../../platform/messages/formats.ts';
import { useTranslation } from '../i18n/index.ts';

export interface ServerMessage {
  key: string;
  params: Record<string, unknown>;
}

export interface Person {
  id: string;
  givenName: string | null;
  sex: 'F' | 'M' | null;
}

/** The people whose names the reader may see: themselves and those they represent. */
export const PeopleContext = createContext<ReadonlyMap<string, Person>>(new Map());

export function useSpeak() {
  const { t, i18n } = useTranslation();
  const people = useContext(PeopleContext);
  return useCallback(
    (message: ServerMessage, part?: 'subject' | 'body'): string => {
      const params: Record<string, unknown> = { ...message.params };
      const nameOf = (id: unknown) => people.get(String(id))?.givenName ?? t('ui:someone.child');
      let context: string | undefined;
      if (typeof params.child === 'string') {
        const person = people.get(params.child);
        params.name = nameOf(params.child);
        context = person?.sex === 'F' ? 'female' : person?.sex === 'M' ? 'male' : undefined;
      }
      if (Array.isArray(params.children)) {
        params.names = formatList(params.children.map(nameOf), i18n.language);
        params.count ??= params.children.length;
      }
      if (typeof params.programme === 'string') params.programmeName = t(`messages:programme.${params.programme}.name`, { defaultValue: params.programme });
      if (typeof params.sender === 'string') params.sender = t(`messages:agency.${params.sender}`, { defaultValue: params.sender });
      if (message.key === 'law.modelledOn') context = String(params.country);
      if (message.key === 'inbox.receipt.accepted' && typeof params.kind === 'string' && params.amount !== null) context = params.kind;
      const key = part ? `${message.key}.${part}` : message.key;
      const fallback = part ? `inbox.unknown.${part}` : 'error.generic';
      const options = { ...params, context, ns: 'messages' };
      return i18n.exists(`messages:${key}`, options) ? t(key, options) : t(fallback, options);
    },
    [t, i18n, people],
  );
}
