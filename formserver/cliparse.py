"""The command line's argument parser: every id the server ever handed out is a valid argument.

Ids made with ``secrets.token_urlsafe`` (documents and submissions before :mod:`formserver.ids`) may begin
with ``-``: plain argparse reads ``formserver document revoke -AbC... --reason x`` as an unknown option
``-A`` (or ``-h`` with a value, for an id beginning ``-h``) and stops. This parser reads an argument shaped
like such an id as a positional value unless it is exactly one of the command's options (or the start of
a long one). ``--`` still ends the options, as everywhere.
"""
import argparse
import re

# "-" then at least 7 id characters: ids are 16 or more characters, options here are named in full
_ID_LIKE = re.compile(r"-[A-Za-z0-9_-]{7,}")


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, except that an id beginning with ``-`` is a value, not an unknown option."""

    def _parse_optional(self, arg_string):
        if _ID_LIKE.fullmatch(arg_string) and not self._names_an_option(arg_string):
            return None  # positional
        return super()._parse_optional(arg_string)

    def _names_an_option(self, arg_string: str) -> bool:
        """Whether ``arg_string`` is one of this parser's options, or an abbreviation of a long one."""
        if arg_string in self._option_string_actions:
            return True
        return arg_string.startswith("--") and self.allow_abbrev and any(
            option.startswith(arg_string) for option in self._option_string_actions if option.startswith("--"))
