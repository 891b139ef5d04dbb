"""makemessages as this project runs it: no fuzzy guesses.

Django's default lets msgmerge guess a translation for a new string from a similar old one and
marks it fuzzy; a fuzzy entry is not used and is easy to miss. New strings arrive empty instead,
and the catalogue test lists them.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
