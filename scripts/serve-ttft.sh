#!/usr/bin/env bash
# Time to first token of a chat's first and second turn against a running `winnow serve`
# (issue 14's conversation-reuse target). The first turn carries a long history (about
# HISTORY_WORDS words in one user message); the second extends it by the reply and one more
# message, so the server can continue from the cached conversation. max_tokens 1: the time of
# the whole request is the time to the first token.
# Usage: scripts/serve-ttft.sh [URL] [HISTORY_WORDS]
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
words="${2:-1100}"
history="$(python3 -c "import sys; print(' '.join(['the little dog ran to the park and played with a red ball'] * (int(sys.argv[1]) // 12)))" "$words")"
turn() {
  curl -s -o /tmp/serve-ttft.json -w '%{time_total}' "$url/v1/chat/completions" -H 'Content-Type: application/json' -d "$1"
}
body1="$(python3 -c 'import json,sys; print(json.dumps({"messages":[{"role":"user","content":sys.argv[1]}],"max_tokens":1,"temperature":0}))' "$history")"
t1="$(turn "$body1")"
reply="$(python3 -c 'import json; print(json.load(open("/tmp/serve-ttft.json"))["choices"][0]["message"]["content"])')"
p1="$(python3 -c 'import json; print(json.load(open("/tmp/serve-ttft.json"))["usage"]["prompt_tokens"])')"
body2="$(python3 -c 'import json,sys; print(json.dumps({"messages":[{"role":"user","content":sys.argv[1]},{"role":"assistant","content":sys.argv[2]},{"role":"user","content":"And then?"}],"max_tokens":1,"temperature":0}))' "$history" "$reply")"
t2="$(turn "$body2")"
cached="$(python3 -c 'import json; u=json.load(open("/tmp/serve-ttft.json"))["usage"]; print(u["prompt_tokens"], u["prompt_tokens_details"]["cached_tokens"])')"
echo "turn 1: ${p1} prompt tokens, ${t1} s; turn 2: prompt/cached tokens ${cached}, ${t2} s; speed-up $(python3 -c "print(round($t1/$t2, 1))")x"
