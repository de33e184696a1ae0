"""Django database backends of vanban (`DATABASES["default"]["ENGINE"] = "vanban.dbbackend"`)."""
