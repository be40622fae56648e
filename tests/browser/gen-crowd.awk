# tests/browser/gen-crowd.awk - suppliers crowded at shared addresses, to
# append to a parties.csv: each address a supplier.mass-address finding
# with `per` evidence rows, more than report.html shows at first (50).
# Supplier `bad` of each address has markup in its id: the page must show
# it as text in the rows its script adds.
# Usage: awk -v addresses=A -v per=K -v bad=M -f gen-crowd.awk >>parties.csv
BEGIN {
	for (a = 1; a <= addresses; a++)
		for (k = 1; k <= per; k++)
			printf "%s,Crowd %d %d,organisation,supplier,VL,VL-REG:C%d-%d,2000-01-01,%d Crowd Lane,,,\n",
				k == bad ? "SC" a "<img src=x onerror=window.pwned=1>" : "SC" a "-" k, a, k, a, k, a
}
