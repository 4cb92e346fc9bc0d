/**
 * The rules of Slack's app manifest (version 1, the one a manifest without `_metadata` is read as)
 * for the parts igor's manifests use, as a JSON Schema for ajv. Restated from Slack's published
 * schema, https://github.com/slackapi/manifest-schema, `schemas/manifest.schema.1.0.0.json`
 * (read at commit 19557f58d932d71155ce85c581dc7c72637abe1c): its required keys, its lengths and
 * patterns, and `additionalProperties: false` wherever Slack's has it, so a misspelt key or a
 * value Slack would refuse fails here first. Sections igor does not use (functions, workflows,
 * datastores, the App Directory, …) are allowed as objects and not checked further.
 */
const httpsUrl = (maxLength: number) => ({ type: 'string', pattern: '^https?:\\/\\/', maxLength });
const scopeList = { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 255 };
const eventList = { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 100, uniqueItems: true };
const unchecked = { type: ['object', 'array'] };

export const slackManifestSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['display_information'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    _metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { schema_version: { type: 'integer' }, min_version: { type: 'integer' }, major_version: { type: 'integer' }, minor_version: { type: 'integer' } },
    },
    display_information: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 35 },
        description: { type: 'string', minLength: 1, maxLength: 140 },
        // Slack's schema names this pattern under `regex`, which validators ignore; it is the rule all the same.
        background_color: { type: 'string', minLength: 4, maxLength: 7, pattern: '^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$' },
        long_description: { type: 'string', minLength: 175, maxLength: 4000 },
      },
    },
    features: {
      type: 'object',
      additionalProperties: false,
      properties: {
        app_home: {
          type: 'object',
          additionalProperties: false,
          properties: { home_tab_enabled: { type: 'boolean' }, messages_tab_enabled: { type: 'boolean' }, messages_tab_read_only_enabled: { type: 'boolean' } },
        },
        bot_user: {
          type: 'object',
          required: ['display_name'],
          additionalProperties: false,
          properties: { display_name: { type: 'string', minLength: 1, maxLength: 80 }, always_online: { type: 'boolean' } },
        },
        slash_commands: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: {
            type: 'object',
            required: ['command', 'description'],
            additionalProperties: false,
            properties: {
              command: { type: 'string', minLength: 2, maxLength: 32, pattern: '^\\/' },
              url: httpsUrl(3000),
              description: { type: 'string', minLength: 1, maxLength: 2000 },
              usage_hint: { type: 'string', minLength: 1, maxLength: 1000 },
              should_escape: { type: 'boolean' },
            },
          },
        },
        functions: unchecked,
        shortcuts: unchecked,
        workflow_steps: unchecked,
        unfurl_domains: unchecked,
        assistant_view: unchecked,
      },
    },
    oauth_config: {
      type: 'object',
      additionalProperties: false,
      properties: {
        redirect_urls: { type: 'array', uniqueItems: true, maxItems: 1000, items: { type: 'string', maxLength: 2500 } },
        scopes: {
          type: 'object',
          additionalProperties: false,
          properties: { user: scopeList, bot: scopeList, user_optional: scopeList, bot_optional: scopeList },
        },
        token_management_enabled: { type: 'boolean' },
        pkce_enabled: { type: 'boolean' },
      },
    },
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowed_ip_address_ranges: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string' } },
        event_subscriptions: {
          type: 'object',
          additionalProperties: false,
          properties: { request_url: httpsUrl(3500), user_events: eventList, bot_events: eventList, metadata_subscriptions: unchecked },
        },
        incoming_webhooks: { type: 'object', additionalProperties: false, properties: { incoming_webhooks_enabled: { type: 'boolean' } } },
        interactivity: {
          type: 'object',
          required: ['is_enabled'],
          additionalProperties: false,
          properties: { is_enabled: { type: 'boolean' }, request_url: httpsUrl(3500), message_menu_options_url: httpsUrl(3500) },
        },
        org_deploy_enabled: { type: 'boolean' },
        socket_mode_enabled: { type: 'boolean' },
        is_hosted: { type: 'boolean' },
        token_rotation_enabled: { type: 'boolean' },
        siws_links: unchecked,
        hermes_app_type: { type: 'string' },
        function_runtime: { type: 'string' },
        is_mcp_enabled: { type: 'boolean' },
      },
    },
    app_directory: unchecked,
    functions: unchecked,
    workflows: unchecked,
    datastores: unchecked,
    outgoing_domains: unchecked,
    types: unchecked,
    external_auth_providers: unchecked,
  },
} as const;
