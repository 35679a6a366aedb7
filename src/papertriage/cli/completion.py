"""`papertriage completion bash|zsh|fish`: the scripts that hook Tab to
``papertriage __complete`` (cli/complete.py)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from . import app

BASH = r"""# papertriage completion for bash: eval "$(papertriage completion bash)"
_papertriage_complete() {
    local line="${COMP_LINE:0:COMP_POINT}" cur="${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\n'
    local -a replies
    replies=($(papertriage __complete bash "$line" 2>/dev/null))
    if [[ "${replies[0]}" == __files__ ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
    fi
    # bash splits words at ':' and '=' (COMP_WORDBREAKS): offer only the part after them.
    local word="${line##*[[:space:]]}"
    local broken="${word%"${word##*[:=]}"}"
    if [[ -n "$broken" ]]; then
        replies=("${replies[@]#"$broken"}")
    fi
    if [[ ${#replies[@]} -eq 1 && "${replies[0]}" == *[:/,] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    COMPREPLY=("${replies[@]}")
}
complete -o default -F _papertriage_complete papertriage
"""

ZSH = r"""#compdef papertriage
# papertriage completion for zsh: papertriage completion zsh > "${fpath[1]}/_papertriage"
# (or: eval "$(papertriage completion zsh)" after compinit)
_papertriage() {
    local -a lines
    local line value desc
    lines=("${(@f)$(papertriage __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ "${lines[1]}" == __files__ ]]; then
        _files
        return
    fi
    for line in "${lines[@]}"; do
        [[ -z "$line" ]] && continue
        value="${line%%$'\t'*}"
        desc="${line#*$'\t'}"
        [[ "$desc" == "$line" ]] && desc=""
        if [[ "$value" == *[:/,] ]]; then
            compadd -Q -S '' -d "(${(q)value}  ${(q)desc})" -- "$value"
        else
            compadd -Q -- "$value"
        fi
    done
}
if [[ "$funcstack[1]" == _papertriage ]]; then
    _papertriage "$@"
else
    compdef _papertriage papertriage
fi
"""

FISH = r"""# papertriage completion for fish: papertriage completion fish > ~/.config/fish/completions/papertriage.fish
function __papertriage_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l replies (papertriage __complete fish $words[2..-1] $current 2>/dev/null)
    if test "$replies[1]" = __files__
        __fish_complete_path $current
        return
    end
    printf '%s\n' $replies
end
complete -c papertriage -f -a '(__papertriage_complete)'
"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command()
def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Tab then completes commands, options, tag names, statuses, query fields
    (tag:, status:, year: ...) and paper ids from your library.

    \b
      bash:  echo 'eval "$(papertriage completion bash)"' >> ~/.bashrc
      zsh:   papertriage completion zsh > "${fpath[1]}/_papertriage"
      fish:  papertriage completion fish > ~/.config/fish/completions/papertriage.fish
    """
    print(SCRIPTS[shell.value], end="")
