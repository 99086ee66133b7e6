module lanescope.dev/tracegen

go 1.22
