# What teams write today: per repository, keep the 20 newest v* images and expire untagged
# images pushed more than 7 days before 2026-11-27; prints how many images would go.
.imageDetails
| group_by(.repositoryName)
| map(
    ( map(select((.imageTags // []) | any(startswith("v")))) | sort_by(.imagePushedAt) | reverse | .[20:] | map(.imageDigest) )
    + ( map(select(((.imageTags // []) | length) == 0 and .imagePushedAt < "2026-11-20")) | map(.imageDigest) )
  )
| flatten
| length
