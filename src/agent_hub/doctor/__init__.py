"""`agent-hub doctor`: checks an installation's settings and the services it depends on.

See ``checks.py`` for what is checked and ``cli.py`` for the command.
"""
