from postconv.cli import main

main()
