from qinglang.cli import main

main()
