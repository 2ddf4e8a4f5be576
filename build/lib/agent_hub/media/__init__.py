"""Media building blocks: type sniffing, upload spooling, image/audio validation, descriptions.

The HTTP endpoint and the worker are built on top of these (see ``validation.validate_upload``
and ``engines.describe``). Nothing here trusts a file name or a ``Content-Type`` header: the
bytes decide.
"""
