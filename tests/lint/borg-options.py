#!/usr/bin/python3
"""borg's real option list, read from borg's own argparse parser.

  borg-options.py table
      print the table policy/lint/borg-options.def (the danger catalogue's
      option list; it is data, regenerated with this script for a new
      borg and compared byte for byte by tests/lint/borg-options.sh)
  borg-options.py resolve
      read "SCOPE<TAB>WORD" lines; print "SCOPE<TAB>WORD<TAB>RESULT" where
      RESULT is the option string argparse's own lookup resolves WORD to
      in that scope's parser ("-" when it is no option, "ambiguous" when
      argparse would refuse it as ambiguous)
  borg-options.py prefixes OPTION...
      print "SCOPE<TAB>WORD<TAB>OPTION" for every word that argparse
      resolves to OPTION (full spelling and every accepted prefix, alone
      and with "=VALUE") in every scope that has OPTION

Nothing here runs borg: it builds the parser object and asks it.
"""
import argparse
import sys

from borg.archiver import Archiver

_parser = Archiver().build_parser()


def scopes():
    """(scope name, parser) for the main parser and every subcommand."""
    out = []

    def walk(parser, name):
        out.append((name, parser))
        for a in parser._actions:
            if isinstance(a, argparse._SubParsersAction):
                for sub, sp in a.choices.items():
                    walk(sp, (name + " " + sub).strip())
    walk(_parser, "")
    return out


def options(parser):
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            continue
        for o in a.option_strings:
            yield o, a


def resolve(parser, word):
    """What argparse's own lookup makes of WORD: an option string,
    None (positional) or 'ambiguous'."""
    def refuse(msg):
        raise LookupError(msg)
    saved = parser.error
    parser.error = refuse
    try:
        r = parser._parse_optional(word)
    except LookupError:
        return "ambiguous"
    finally:
        parser.error = saved
    if r is None or r[0] is None:
        return None
    return r[1]


def table():
    from borg import __version__
    print("/*")
    print(" * borg %s's options, scope by scope, read from its own argparse"
          % __version__)
    print(" * parser by tests/lint/borg-options.py: regenerate, do not edit.")
    print(" * BORG_OPT(scope, option, takes a value); scope \"\" is the main")
    print(" * parser, \"key export\" a subcommand of \"key\".")
    print(" */")
    for name, parser in scopes():
        print("BORG_SCOPE(\"%s\")" % name)
        for o, a in options(parser):
            print("BORG_OPT(\"%s\", \"%s\", %d)"
                  % (name, o, 0 if a.nargs == 0 else 1))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    byname = dict(scopes())
    if mode == "table":
        table()
    elif mode == "resolve":
        for line in sys.stdin:
            scope, word = line.rstrip("\n").split("\t", 1)
            r = resolve(byname[scope], word)
            print("%s\t%s\t%s" % (scope, word, r or "-"))
    elif mode == "prefixes":
        for name, parser in scopes():
            have = {o for o, _ in options(parser)}
            for opt in sys.argv[2:]:
                if opt not in have:
                    continue
                for n in range(2, len(opt) + 1):
                    for word in (opt[:n], opt[:n] + "=x"):
                        if resolve(parser, word) == opt:
                            print("%s\t%s\t%s" % (name, word, opt))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


main()
