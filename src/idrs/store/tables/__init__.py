"""Taxpayer, module, return and staff tables. Only ``idrs.store`` queries them."""
