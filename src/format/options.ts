// Alert formatting options: the falco.yaml keys that shape alerts, with Falco's defaults.
//
//   falco.yaml key                          option
//   time_format_iso_8601                    timeFormatIso8601              (default false)
//   json_include_output_property            jsonIncludeOutputProperty      (default true)
//   json_include_tags_property              jsonIncludeTagsProperty        (default true)
//   json_include_message_property           jsonIncludeMessageProperty     (default false)
//   json_include_output_fields_property     jsonIncludeOutputFieldsProperty (default true)
//   FALCO_HOSTNAME env var / gethostname()  hostname

import { hostname as osHostname } from 'node:os';

export interface FormatOptions {
  readonly hostname: string;
  readonly timeFormatIso8601: boolean;
  readonly jsonIncludeOutputProperty: boolean;
  readonly jsonIncludeTagsProperty: boolean;
  readonly jsonIncludeMessageProperty: boolean;
  readonly jsonIncludeOutputFieldsProperty: boolean;
}

/** Falco's hostname rule: the FALCO_HOSTNAME environment variable when set, else gethostname(). */
export function defaultHostname(env: NodeJS.ProcessEnv = process.env): string {
  const h = env['FALCO_HOSTNAME'];
  return h !== undefined && h !== '' ? h : osHostname();
}

export function formatOptions(partial: Partial<FormatOptions> = {}): FormatOptions {
  return {
    hostname: partial.hostname ?? defaultHostname(),
    timeFormatIso8601: partial.timeFormatIso8601 ?? false,
    jsonIncludeOutputProperty: partial.jsonIncludeOutputProperty ?? true,
    jsonIncludeTagsProperty: partial.jsonIncludeTagsProperty ?? true,
    jsonIncludeMessageProperty: partial.jsonIncludeMessageProperty ?? false,
    jsonIncludeOutputFieldsProperty: partial.jsonIncludeOutputFieldsProperty ?? true,
  };
}
