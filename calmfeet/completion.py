"""Shell completion scripts for bash, zsh and fish, read off the command line's own parser.

Commands and options come from `build_parser()`, so a new command completes without touching
this file. Routine ids after `run` and `audio` come from `calmfeet list --ids` at the moment of
completion (with any `--routines DIR` already typed), through the same command the person typed,
so `.venv/bin/calmfeet` completes from its own environment.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

SHELLS = ("bash", "zsh", "fish")

# What a value is, by the argparse `dest` that holds it: how each shell offers it.
ROUTINE_ID = "routine_id"
FILE_DESTS = frozenset({"targets", "file"})
FOLDER_DESTS = frozenset({"routines"})
PATTERN_DEST = "pattern"
SHELL_DEST = "shell"
THEME_DEST = "theme"


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    dest: str
    takes_value: bool
    help: str


@dataclass(frozen=True)
class Positional:
    dest: str
    many: bool
    """Takes one or more words (`validate PATH...`), so every word from here on is one."""


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    positionals: tuple[Positional, ...]


def _options(parser: argparse.ArgumentParser) -> tuple[Option, ...]:
    found: list[Option] = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        flags = tuple(action.option_strings)
        found.append(Option(flags, action.dest, action.nargs != 0, action.help or ""))
    return tuple(found)


def read_parser(parser: argparse.ArgumentParser) -> tuple[tuple[Option, ...], tuple[Command, ...]]:
    """The top-level options and every command, as completion needs them (argparse has no
    public way to list them; these attributes are the ones completion tools all read)."""
    commands: list[Command] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        for name, sub in action.choices.items():
            positionals = tuple(
                Positional(a.dest, a.nargs in ("+", "*"))
                for a in sub._actions
                if not a.option_strings and a.help != argparse.SUPPRESS
            )
            commands.append(Command(name, helps.get(name, ""), _options(sub), positionals))
    return _options(parser), tuple(commands)


def _value_options(top: tuple[Option, ...], commands: tuple[Command, ...]) -> list[str]:
    """Every flag that takes a value (whose next word is that value, not a command)."""
    flags = {f for o in top if o.takes_value for f in o.flags}
    flags |= {f for c in commands for o in c.options if o.takes_value for f in o.flags}
    return sorted(flags)


def _pattern_names() -> list[str]:
    from calmfeet.core.breathing import BUILTIN_PATTERNS

    return list(BUILTIN_PATTERNS)


def completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    top, commands = read_parser(parser)
    if shell == "bash":
        return _bash(top, commands)
    if shell == "zsh":
        return _zsh(top, commands)
    if shell == "fish":
        return _fish(top, commands)
    raise ValueError(shell)


# --- bash ------------------------------------------------------------------------------------


def _bash_list(words: list[str]) -> str:
    """Words for `compgen -W` while IFS is a newline (so ids and file names may hold spaces)."""
    return "$'" + "\\n".join(words) + "'"


def _bash_words(kind_dest: str) -> str:
    """The bash line that fills COMPREPLY for a value held in `kind_dest`."""
    if kind_dest == ROUTINE_ID:
        return 'COMPREPLY=($(compgen -W "$(_calmfeet_ids)" -- "$cur"))'
    if kind_dest in FILE_DESTS:
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    if kind_dest in FOLDER_DESTS:
        return 'COMPREPLY=($(compgen -d -- "$cur"))'
    if kind_dest == THEME_DEST:
        return 'COMPREPLY=($(compgen -W "$(_calmfeet_themes)" -- "$cur"))'
    if kind_dest == PATTERN_DEST:
        return f'COMPREPLY=($(compgen -W {_bash_list(_pattern_names())} -- "$cur"))'
    if kind_dest == SHELL_DEST:
        return f'COMPREPLY=($(compgen -W {_bash_list(list(SHELLS))} -- "$cur"))'
    return "COMPREPLY=()"


def _bash(top: tuple[Option, ...], commands: tuple[Command, ...]) -> str:
    value_flags = _value_options(top, commands)
    option_values = {
        f: o.dest for c in commands for o in c.options if o.takes_value for f in o.flags
    }
    option_values.update({f: o.dest for o in top if o.takes_value for f in o.flags})
    lines = [
        "# bash completion for calmfeet. Load it with: source <(calmfeet completion bash)",
        "# or keep it: calmfeet completion bash \\",
        "#     > ~/.local/share/bash-completion/completions/calmfeet",
        "_calmfeet_ids() {",
        '    "${COMP_WORDS[0]}" list --ids ${extra[@]+"${extra[@]}"} 2>/dev/null',
        "}",
        "_calmfeet_themes() {",
        '    "${COMP_WORDS[0]}" themes 2>/dev/null | while IFS=" " read -r name _; do',
        '        echo "$name"',
        "    done",
        "}",
        "_calmfeet() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local cmd="" n=0 i word',
        "    local -a extra=()",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        word="${COMP_WORDS[i]}"',
        '        case "$word" in',
        '            --routines) extra+=(--routines "${COMP_WORDS[i+1]}"); ((i++)) ;;',
        '            --routines=*) extra+=("$word") ;;',
        f"            {'|'.join(f for f in value_flags if f != '--routines')}) ((i++)) ;;",
        "            -*) ;;",
        '            *) if [[ -z "$cmd" ]]; then cmd="$word"; else ((n++)); fi ;;',
        "        esac",
        "    done",
        "    local IFS=$'\\n'",
        '    case "$prev" in',
    ]
    for flag in value_flags:
        lines.append(f"        {flag}) {_bash_words(option_values[flag])}; return ;;")
    lines += ["    esac", '    if [[ "$cur" == -* ]]; then', '        case "$cmd" in']
    top_flags = _bash_list([f for o in top for f in o.flags])
    lines.append(f'            "") COMPREPLY=($(compgen -W {top_flags} -- "$cur")) ;;')
    for command in commands:
        flags = _bash_list([f for o in command.options for f in o.flags])
        lines.append(f'            {command.name}) COMPREPLY=($(compgen -W {flags} -- "$cur")) ;;')
    lines += ["        esac", "        return", "    fi", '    case "$cmd" in']
    names = _bash_list([c.name for c in commands])
    lines.append(f'        "") COMPREPLY=($(compgen -W {names} -- "$cur")) ;;')
    for command in commands:
        if not command.positionals:
            continue
        lines.append(f"        {command.name})")
        lines.append('            case "$n" in')
        for index, positional in enumerate(command.positionals):
            pattern = "*" if positional.many else str(index)
            lines.append(f"                {pattern}) {_bash_words(positional.dest)} ;;")
        lines.append("            esac ;;")
    lines += ["    esac", "}", "complete -o filenames -F _calmfeet calmfeet", ""]
    return "\n".join(lines)


# --- zsh -------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_described(items: list[tuple[str, str]]) -> str:
    escaped = [(name.replace(":", "\\:"), about) for name, about in items]
    return " ".join(_zsh_quote(f"{name}:{about}") for name, about in escaped)


def _zsh_words(kind_dest: str) -> str:
    if kind_dest == ROUTINE_ID:
        return 'compadd -- ${(f)"$(_calmfeet_ids)"}'
    if kind_dest in FILE_DESTS:
        return "_files"
    if kind_dest in FOLDER_DESTS:
        return "_directories"
    if kind_dest == THEME_DEST:
        return 'compadd -- ${(f)"$(_calmfeet_themes)"}'
    if kind_dest == PATTERN_DEST:
        return f"compadd -- {' '.join(_pattern_names())}"
    if kind_dest == SHELL_DEST:
        return f"compadd -- {' '.join(SHELLS)}"
    return "return 1"


def _zsh(top: tuple[Option, ...], commands: tuple[Command, ...]) -> str:
    value_flags = _value_options(top, commands)
    option_values = {
        f: o.dest for c in commands for o in c.options if o.takes_value for f in o.flags
    }
    option_values.update({f: o.dest for o in top if o.takes_value for f in o.flags})
    lines = [
        "#compdef calmfeet",
        "# zsh completion for calmfeet. Load it with: source <(calmfeet completion zsh)",
        "# or keep it as _calmfeet in a folder on your $fpath.",
        "_calmfeet_ids() {",
        "    ${words[1]} list --ids $extra 2>/dev/null",
        "}",
        "_calmfeet_themes() {",
        "    ${words[1]} themes 2>/dev/null | while IFS=' ' read -r name rest; do",
        "        print -r -- $name",
        "    done",
        "}",
        "_calmfeet() {",
        "    local cmd='' word",
        "    local -i n=0 i",
        "    local -a extra",
        "    for (( i = 2; i < CURRENT; i++ )); do",
        "        word=${words[i]}",
        "        case $word in",
        "            --routines) extra+=(--routines ${words[i+1]}); (( i++ )) ;;",
        "            --routines=*) extra+=($word) ;;",
        f"            ({'|'.join(f for f in value_flags if f != '--routines')}) (( i++ )) ;;",
        "            -*) ;;",
        "            *) if [[ -z $cmd ]]; then cmd=$word; else (( n++ )); fi ;;",
        "        esac",
        "    done",
        "    case ${words[CURRENT-1]} in",
    ]
    for flag in value_flags:
        lines.append(f"        ({flag}) {_zsh_words(option_values[flag])}; return ;;")
    lines += [
        "    esac",
        "    if [[ ${words[CURRENT]} == -* ]]; then",
        "        local -a opts",
        "        case $cmd in",
    ]
    top_items = [(f, o.help) for o in top for f in o.flags]
    lines.append(f"            ('') opts=({_zsh_described(top_items)}) ;;")
    for command in commands:
        items = [(f, o.help) for o in command.options for f in o.flags]
        lines.append(f"            ({command.name}) opts=({_zsh_described(items)}) ;;")
    lines += [
        "        esac",
        "        _describe -t options option opts",
        "        return",
        "    fi",
        "    case $cmd in",
    ]
    described = _zsh_described([(c.name, c.help) for c in commands])
    lines.append(
        f"        ('') local -a commands=({described}); _describe -t commands command commands ;;"
    )
    for command in commands:
        if not command.positionals:
            continue
        lines.append(f"        ({command.name})")
        lines.append("            case $n in")
        for index, positional in enumerate(command.positionals):
            pattern = "*" if positional.many else str(index)
            lines.append(f"                ({pattern}) {_zsh_words(positional.dest)} ;;")
        lines.append("            esac ;;")
    lines += [
        "    esac",
        "}",
        "if (( $+functions[compdef] )); then",
        "    compdef _calmfeet calmfeet",
        "else",
        "    autoload -Uz compinit && compinit && compdef _calmfeet calmfeet",
        "fi",
        "",
    ]
    return "\n".join(lines)


# --- fish ------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_values(kind_dest: str) -> str:
    """The `complete` arguments offering a value held in `kind_dest`."""
    if kind_dest == ROUTINE_ID:
        return "-x -a '(__calmfeet_ids)'"
    if kind_dest in FILE_DESTS:
        return "-F -r"
    if kind_dest in FOLDER_DESTS:
        return "-x -a '(__fish_complete_directories (commandline -ct))'"
    if kind_dest == THEME_DEST:
        return "-x -a '(__calmfeet_themes)'"
    if kind_dest == PATTERN_DEST:
        return f"-x -a {_fish_quote(' '.join(_pattern_names()))}"
    if kind_dest == SHELL_DEST:
        return f"-x -a {_fish_quote(' '.join(SHELLS))}"
    return "-x"


def _fish(top: tuple[Option, ...], commands: tuple[Command, ...]) -> str:
    value_flags = _value_options(top, commands)
    lines = [
        "# fish completion for calmfeet. Load it with: calmfeet completion fish | source",
        "# or keep it: calmfeet completion fish > ~/.config/fish/completions/calmfeet.fish",
        "function __calmfeet_state --description 'the command typed so far and its word count'",
        "    set -l words (commandline -opc)",
        "    set -l cmd ''",
        "    set -l n 0",
        "    set -l skip 0",
        "    for i in (seq 2 (count $words))",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        switch $words[$i]",
        f"            case {' '.join(value_flags)}",
        "                set skip 1",
        "            case '-*'",
        "            case '*'",
        '                if test -z "$cmd"',
        "                    set cmd $words[$i]",
        "                else",
        "                    set n (math $n + 1)",
        "                end",
        "        end",
        "    end",
        "    echo $cmd",
        "    echo $n",
        "end",
        "function __calmfeet_at --description 'completing word N (or N and after, with +) of CMD'",
        "    set -l state (__calmfeet_state)",
        '    test "$state[1]" = $argv[1]; or return 1',
        "    if string match -q -- '*+' $argv[2]",
        "        test $state[2] -ge (string trim -r -c + -- $argv[2])",
        "    else",
        "        test $state[2] -eq $argv[2]",
        "    end",
        "end",
        "function __calmfeet_in --description 'the command being typed is CMD'",
        "    set -l state (__calmfeet_state)",
        '    test "$state[1]" = $argv[1]',
        "end",
        "function __calmfeet_ids",
        "    set -l words (commandline -opc)",
        "    set -l extra",
        "    for i in (seq 2 (math (count $words) - 1))",
        '        if test "$words[$i]" = --routines',
        "            set extra $extra --routines $words[(math $i + 1)]",
        "        end",
        "    end",
        "    $words[1] list --ids $extra 2>/dev/null",
        "end",
        "function __calmfeet_themes",
        "    set -l words (commandline -opc)",
        "    $words[1] themes 2>/dev/null | string replace -r ' .*' ''",
        "end",
        "complete -c calmfeet -f",
    ]

    def option_line(condition: str, option: Option) -> str:
        parts = ["complete -c calmfeet", f"-n {_fish_quote(condition)}"]
        for flag in option.flags:
            parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
        if option.takes_value:
            parts.append(_fish_values(option.dest))
        parts.append(f"-d {_fish_quote(option.help)}")
        return " ".join(parts)

    for option in top:
        lines.append(option_line("__calmfeet_in ''", option))
    for command in commands:
        lines.append(
            f"complete -c calmfeet -n \"__calmfeet_in ''\" -a {command.name} "
            f"-d {_fish_quote(command.help)}"
        )
    for command in commands:
        for option in command.options:
            lines.append(option_line(f"__calmfeet_in {command.name}", option))
        for index, positional in enumerate(command.positionals):
            at = f"{index}+" if positional.many else str(index)
            condition = _fish_quote(f"__calmfeet_at {command.name} {at}")
            lines.append(f"complete -c calmfeet -n {condition} {_fish_values(positional.dest)}")
    lines.append("")
    return "\n".join(lines)
