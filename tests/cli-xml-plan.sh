# cli-xml-plan.sh - the round trip of issue 4: "offmig plan" of the XML that
# "offmig xml" writes for a volume selects exactly what the generator found
# there: per component the same files, bytes and registry values, no file
# taken twice, nothing unsupported, on every fixture volume.
. "${OFFMIG_SRCDIR:?}/lib.sh"

# Per component, "name files bytes registry_values", sorted.
xml_counts='[.components[] | "\(.name) \(.files) \(.bytes) \(.registry_values)"] | sort | .[]'
plan_counts='[.summary.components | group_by(.component)[] |
    select((map(.files) | add) + (map(.registry_values) | add) > 0) |
    "\(.[0].component) \(map(.files) | add) \(map(.bytes) | add) \(map(.registry_values) | add)"] | sort | .[]'

for v in win10 win7 xp plan10 xmlgen hostile; do
	t_begin "xml then plan: $v"
	vol=$OFFMIG_VOLUMES/$v
	# hostile.vol's damaged profiles are reported: "done, but some items
	# failed" (1) there, 0 everywhere else.
	want_status=0
	[ "$v" = hostile ] && want_status=1
	t_run "$OFFMIG" xml --json "$vol" -o gen >xml.json 2>xml.err
	t_expect_status $want_status
	t_run "$OFFMIG" plan --json -i gen/offmig-user.xml \
	    -i gen/offmig-apps.xml --config gen/config.xml "$vol" \
	    >plan.json 2>plan.err
	t_expect_status $want_status
	t_expect_json plan.json '.summary.unsupported | length' 0
	t_expect_json plan.json '.summary.errors' 0
	# The generator leaves out components that would take nothing.
	jq -r "[.components[] | select(.files + .registry_values > 0)] |
	    {components: .} | $xml_counts" xml.json >want 2>&1 ||
	    t_bad "jq failed on xml.json: $(head -c 300 want)"
	jq -r "$plan_counts" plan.json >got 2>&1 ||
	    t_bad "jq failed on plan.json: $(head -c 300 got)"
	cmp -s want got || t_bad "per component (name files bytes values),"\
" xml: $(tr '\n' ';' <want) plan: $(tr '\n' ';' <got)"
	# Each file once: the objects listed are the files the components
	# count, no more.
	t_expect_json plan.json '[.objects[] | select(.type == "file")] | length' \
	    "$(jq '[.components[].files] | add // 0' xml.json)"
	t_expect_json plan.json '[.objects[] | select(.type == "file") | .path] |
	    (length == (unique | length))' true
	[ "$(jq '[.components[].files] | add // 0' xml.json)" -gt 0 ] ||
	    [ "$v" = hostile ] || t_bad "the generator found no files on $v"
	t_end
done
t_summary
