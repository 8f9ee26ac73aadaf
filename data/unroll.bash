# bash completion for unroll                                  -*- shell-script -*-
# Commands, each command's options and their values, lesson names and file
# paths. Commands and options are read from the binary's own --help texts, so
# they follow whichever unroll is being completed; the lessons come from the
# folder `unroll --version` names.

# _unroll_help BIN [CMD]: the help text, remembered for the session
_unroll_help()
{
    local key="${1}|${2-}" var
    var="_unroll_cache_$(printf '%s' "$key" | cksum | cut -d' ' -f1)"
    if [[ -z ${!var+x} ]]; then
        if [[ -n ${2-} ]]; then
            printf -v "$var" '%s' "$("$1" "$2" --help 2>/dev/null)"
        else
            printf -v "$var" '%s' "$("$1" --help 2>/dev/null)"
        fi
    fi
    printf '%s\n' "${!var}"
}

_unroll_commands()
{
    _unroll_help "$1" | sed -n '/^commands:/,/^$/s/^  \[\{0,1\}\([a-z][a-z]*\)\]\{0,1\} .*/\1/p'
}

# lesson topics ("lyrics" for 01-lyrics.md) in the lessons folder unroll reads
_unroll_lessons()
{
    local dir f
    dir=$("$1" --version 2>/dev/null | sed -n 's/^lessons //p')
    [[ -d $dir ]] || return 0
    for f in "$dir"/[0-9][0-9]-*.md; do
        [[ -f $f ]] || continue
        f=${f##*/}
        f=${f#[0-9][0-9]-}
        printf '%s\n' "${f%.md}"
    done
}

_unroll()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local bin=${words[0]} cmd="" i
    bin=${bin/#\~/$HOME}
    type -P "$bin" >/dev/null 2>&1 || [[ -x $bin ]] || return 0
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            cmd=${words[i]}
            break
        fi
    done
    local commands
    commands=$(_unroll_commands "$bin" | tr '\n' ' ')

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands $(_unroll_lessons "$bin")" -- "$cur"))
            COMPREPLY+=($(compgen -f -- "$cur"))
        fi
        return 0
    fi
    # a path or lesson opens the window: complete nothing more
    [[ " $commands " == *" $cmd "* ]] || return 0

    local help
    help=$(_unroll_help "$bin" "$cmd")
    # the value of the option just typed
    if [[ $prev == --* ]]; then
        local choices
        case $prev in
            --view)
                choices=$(printf '%s\n' "$help" | tr '\n' ' ' | sed -n 's/.*Views: \([^(]*\)(.*/\1/p' | tr -d ',')
                ;;
            *)
                # "--theme light|dark", "--cell lstm|gru|simplernn"
                choices=$(printf '%s\n' "$help" | grep -o -- "$prev [a-z0-9_-]*|[a-z0-9_|-]*" | head -n 1 | cut -d' ' -f2 | tr '|' ' ')
                ;;
        esac
        if [[ -n $choices ]]; then
            COMPREPLY=($(compgen -W "$choices" -- "$cur"))
            return 0
        fi
        case $prev in
            --out | --data | --validation | --tokenizer | --save-tokenizer | --ngrams | --input)
                COMPREPLY=($(compgen -f -- "$cur"))
                compopt -o filenames 2>/dev/null
                return 0
                ;;
        esac
        # an option that takes a value (a number, a sentence): nothing to offer
        if printf '%s\n' "$help" | grep -q -- "$prev [A-Z\"(\[]"; then
            return 0
        fi
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u) --help" -- "$cur"))
        return 0
    fi
    case $cmd in
        open | render)
            COMPREPLY=($(compgen -W "$(_unroll_lessons "$bin")" -- "$cur"))
            ;;
    esac
    COMPREPLY+=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
    return 0
} &&
    complete -F _unroll unroll
