"""Storage: tables, engines, migrations, encryption; the only package querying taxpayer tables."""
