#!/bin/sh
# Batch tagging from the shell: pipes, queries and parallel taggers.
#
# Every tagging command (`tag add`, `tag remove`, `mark`) takes paper ids as
# arguments, `-` to read them from stdin (the first word of each line; blank
# lines and `#` lines are skipped, so the `ids` and `tsv` output of `list` and
# `search` pipe straight in), or `--query QUERY`.
#
# Exit status: 0 done, 1 nothing matched (nothing to do), 2 bad input (and
# then nothing at all was changed), 3 library error.
#
# Try it on a copy first:
#   cp ~/.local/share/papertriage/library.db /tmp/try.db
#   PAPERTRIAGE_LIBRARY=/tmp/try.db sh examples/batch-tag.sh
set -eu

here=$(dirname "$0")

# A search that finds nothing exits 1: fine here. Anything else stops the script.
none_is_fine() { [ "$1" -eq 1 ] || exit "$1"; }

# 1. Everything the search finds gets a tag.
papertriage search 'kolmogorov arnold' --format ids | papertriage tag add method/kan - || none_is_fine $?

# 2. Any filter you can write in awk: papers seen in three or more dumps
#    (tsv columns: id, title, published, upvotes, seen, status, tags).
papertriage list --format tsv --limit 0 \
  | awk -F '\t' '$1 !~ /^#/ && $5 >= 3' \
  | papertriage tag add to-read - || none_is_fine $?

# 3. Or select with the query language directly.
papertriage tag add topic/rl --query '"reinforcement learning"' || none_is_fine $?

# 4. Statuses from a pipe, with a look first.
papertriage search 'tag:to-read upvotes>=5' --format ids | papertriage mark keep - --dry-run || none_is_fine $?
papertriage search 'tag:to-read upvotes>=5' --format ids | papertriage mark keep - || none_is_fine $?

# 5. Several taggers at once: eight processes can write to the library
#    together; they wait for each other and none of their tags is lost.
printf '%s\n' \
  'method/kan kolmogorov' \
  'topic/interp interpretability' \
  'topic/vision image' \
  'topic/llm "language model"' \
  | xargs -P 4 -L 1 sh -c 'papertriage tag add "$0" --query "$1" --quiet || [ $? -eq 1 ]'

# 6. Rules kept in a file: see how many papers each would touch, then apply.
papertriage tag apply "$here/rules.yaml" --dry-run > /dev/null
papertriage tag apply "$here/rules.yaml"

# 7. What we have now, and a copy of every decision to keep in git.
papertriage tag list
papertriage tag export > decisions.yaml
echo "decisions saved to decisions.yaml ($(grep -c '^[0-9a-f]' decisions.yaml) papers)"
