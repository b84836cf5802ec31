from cage.worker import main

main()
