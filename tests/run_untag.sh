#!/usr/bin/env bash
# Untag rules carried out (docs/language.md "Untag rules"): on a snapshot store target the
# tags go and the image stays (untagged when its last tag went: the next run's rules see
# it); a reviewed plan carries the tags it removes (and refuses an edit of them); an
# actions:DIR target writes BatchDeleteImage requests by imageTag and never one that would
# remove an image's last tag (ECR deletes the image then); runs count tag removals.
# usage: run_untag.sh REGPOL
source "$(dirname "$0")/lib.sh" "$1"
now=2026-11-27T00:00:00Z
cat > p.regpol <<'P'
repository "*" {
  lifecycle {
    rule 1 {
      select tagged pattern ["v*"]
      keep newest 10
    }
    rule 2 {
      select untagged
      expire older than 7d
    }
    rule 5 "drop build tags" {
      select tagged pattern ["sha-*"]
      untag older than 30d
    }
  }
}
P
d() { printf 'sha256:%064d' "$1"; }
cat > s.json <<S
{"schema": "regpol.snapshot/v1", "capturedAt": "$now", "images": [
 {"repository": "app", "digest": "$(d 1)", "tags": ["v1.0.0", "sha-111"], "pushedAt": "2026-09-01T00:00:00Z", "sizeBytes": 100},
 {"repository": "app", "digest": "$(d 2)", "tags": ["sha-222"], "pushedAt": "2026-09-02T00:00:00Z", "sizeBytes": 100},
 {"repository": "app", "digest": "$(d 3)", "tags": ["sha-333", "v1.1.0"], "pushedAt": "2026-11-20T00:00:00Z", "sizeBytes": 100}]}
S
tags_in() { "$regpol" plan --policy p.regpol --snapshot "$1" --now $now --format json | jq -c --arg d "$2" '.images[] | select(.digest == $d) | .tags'; }

# The plan: two images lose tags, one of them its last; nothing is deleted.
"$regpol" plan --policy p.regpol --snapshot s.json --now $now --format json > plan.json
[ "$(jq -c '[.summary.untag, .summary.tagsRemoved, .summary.expire, .summary.keep]' plan.json)" = "[2,2,0,3]" ] \
  && [ "$(jq -c --arg d "$(d 2)" '.images[] | select(.digest == $d) | [.action, .untagTags, .becomesUntagged]' plan.json)" = '["untag",["sha-222"],true]' ] \
  && ok || bad "plan: $(jq -c .summary plan.json)"

# Store target: the tags go, the images stay; the next run expires the now untagged image.
"$regpol" snapshot import s.json --db st.db > /dev/null 2>&1 || bad "snapshot import"
"$regpol" apply --policy p.regpol --snapshot st.db --state state.db --target st.db --now $now --yes > run1.txt 2>&1 \
  && [ "$(tags_in st.db "$(d 1)")" = '["v1.0.0"]' ] && [ "$(tags_in st.db "$(d 2)")" = '[]' ] \
  && [ "$(tags_in st.db "$(d 3)")" = '["sha-333","v1.1.0"]' ] && grep -q "2 untagged" run1.txt && ok || bad "store untag: $(cat run1.txt)"
"$regpol" runs show 1 --state state.db --format json > r1.json
[ "$(jq -c '[.counts.untagged, .counts.plannedUntags, .counts.deleted]' r1.json)" = "[2,2,0]" ] \
  && [ "$(jq -c '[.actions[] | .untagTags] | sort' r1.json)" = '[["sha-111"],["sha-222"]]' ] \
  && "$regpol" runs show 1 --state state.db | grep -q "untag app@sha256:000000000000 \[sha-111, …\] removes \[sha-111\]" \
  && ok || bad "runs show: $(jq -c '[.counts, [.actions[] | .untagTags]]' r1.json)"
"$regpol" apply --policy p.regpol --snapshot st.db --state state.db --target st.db --now $now --yes > run2.txt 2>&1 \
  && grep -q "1 deleted" run2.txt && [ -z "$(tags_in st.db "$(d 2)")" ] && ok || bad "the untagged image did not expire next run: $(cat run2.txt)"

# A reviewed plan carries the tags it removes; editing them is refused.
"$regpol" snapshot import s.json --db st2.db > /dev/null 2>&1
"$regpol" plan --policy p.regpol --snapshot st2.db --now $now --out reviewed.json > /dev/null 2>&1
[ "$(jq -c '[.actions[] | select(.action == "untag") | .untagTags] | sort' reviewed.json)" = '[["sha-111"],["sha-222"]]' ] && ok || bad "plan --out: $(jq -c .actions reviewed.json)"
jq '(.actions[] | select(.action == "untag") | .untagTags) |= ["v1.0.0"]' reviewed.json > edited.json
"$regpol" apply --plan edited.json --state state2.db --target st2.db --yes > edited.txt 2>&1; [ $? -eq 3 ] && ok || bad "an edited untagTags was accepted: $(cat edited.txt)"
"$regpol" apply --plan reviewed.json --state state2.db --target st2.db --yes > reviewed.txt 2>&1 \
  && [ "$(tags_in st2.db "$(d 1)")" = '["v1.0.0"]' ] && ok || bad "apply --plan untag: $(cat reviewed.txt)"

# actions:DIR writes ECR requests: by imageTag, and never an image's last tag (ECR would
# delete the image, which the plan did not show).
"$regpol" apply --policy p.regpol --snapshot s.json --state state3.db --target actions:out --now $now --yes > act.txt 2>&1; rc=$?
req=$(ls out/run-1-*/untag-*.json 2> /dev/null | head -1)
[ -n "$req" ] && [ "$(jq -c '.imageIds' "$req")" = '[{"imageTag":"sha-111"}]' ] && grep -q "batch-delete-image" out/run-1-*/commands.sh \
  && [ $rc -eq 4 ] && "$regpol" runs show 1 --state state3.db --format json | jq -e '[.actions[] | select(.status == "failed") | .answer] | length == 1 and (.[0] | test("delete it on ECR"))' > /dev/null \
  && ok || bad "actions:DIR untag (rc $rc): $(cat act.txt)"

# On a snapshot pulled from ECR the last tag's removal is the image's expiry, in the plan.
jq '. + {source: "ecr:us-east-1"}' s.json > ecr.json
"$regpol" plan --policy p.regpol --snapshot ecr.json --now $now --format json > ecr-plan.json
[ "$(jq -c --arg d "$(d 2)" '.images[] | select(.digest == $d) | [.action, .reason]' ecr-plan.json)" = '["expire","rule 5 removes every tag it has, and ECR deletes an image with its last tag"]' ] \
  && ok || bad "ECR last tag: $(jq -c '.images' ecr-plan.json)"
finish
