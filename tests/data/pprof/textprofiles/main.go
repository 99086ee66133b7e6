// Writes the debug=1 text forms of the mutex, block and threadcreate
// profiles of a program with a contended mutex and a blocking channel.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var mu sync.Mutex

func hold(d time.Duration) {
	mu.Lock()
	time.Sleep(d)
	mu.Unlock()
}

func contend(wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 20; i++ {
		hold(200 * time.Microsecond)
	}
}

func waitOnChannel(c chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-c
}

func main() {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go contend(&wg)
	}
	c := make(chan int)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go waitOnChannel(c, &wg)
	}
	time.Sleep(5 * time.Millisecond)
	close(c)
	wg.Wait()
	for _, name := range []string{"mutex", "block", "threadcreate"} {
		f, err := os.Create(name + ".txt")
		if err != nil {
			panic(err)
		}
		pprof.Lookup(name).WriteTo(f, 1)
		f.Close()
	}
}
