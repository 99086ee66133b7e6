module lanescope.dev/kit

go 1.19
