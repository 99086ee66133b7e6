module lanescope.dev/examples

go 1.19

require lanescope.dev/kit v0.0.0

replace lanescope.dev/kit => ../go/lanescope
