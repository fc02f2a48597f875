"""The password hasher: Argon2id at the memory and time the OWASP Password Storage Cheat Sheet
gives as its first configuration (19 MiB, two passes, one lane).

Django's own Argon2 settings (100 MiB, two passes, eight lanes) cost more CPU than its PBKDF2 on
a two-core server, and a login holds a synchronous worker for all of it. These settings take
about a tenth of that and stay memory-hard, which is what makes guessing on graphics cards
expensive; PBKDF2 is not. Older hashes still verify, and Django stores the password again with
this hasher at the account's next login (``PASSWORD_HASHERS``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # The algorithm keeps Django's name, so a hash made with Django's settings (or these, if
    # they change) is verified by its own parameters and then brought to these.
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
