"""Cross-cutting pieces: database, settings, permissions and org scope, storage, errors, i18n."""
