"""``idrs term``: an interactive 24 x 80 IDRS terminal.

Split in three so the behaviour can be tested without a screen: :mod:`.state` is the terminal
itself as a plain state machine (what line 1, the page and line 24 show, which field has the
cursor, which line a transmit sends), :mod:`.host` connects it to the system (sign-on, each
command through :class:`idrs.commands.run.Terminal`, sign-off), and :mod:`.view` is the thin
prompt_toolkit layer that maps keys to the machine and paints its 24 lines.
"""
